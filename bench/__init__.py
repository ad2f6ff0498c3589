"""The benchmark of issue 9: `make bench` (python -m bench.run). Never part of `make test`.

- `generate`  bulk data at scale, written with COPY (PostgreSQL) or executemany (SQLite), with
              valid audit hash chains built by app.audit's own functions (`panel_rows`: the evaluation
              panel's declarations, sheets, scores and shortlist, with their events);
- `server`    gunicorn on loopback, the production stack (`app:create_app()`);
- `load`      a keep-alive HTTP load generator with logged-in sessions (CSRF handled);
- `endpoints` the list of measured pages: add an endpoint there to measure it;
- `report`    the table and bench/RESULTS.md;
- `run`       the whole run.
"""
