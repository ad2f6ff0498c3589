"""Validating OCDS output with the standard's own tool (libcoveocds), offline.

The schema files come from `shared/ocds/` beside the project (see its README): the standard as a
ZIP for `--standard-zip`, and the lots extension, served here on 127.0.0.1 because libcoveocds
fetches every extension by URL. Without those files the validation tests skip with the reason.
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import threading
import zipfile
from pathlib import Path

import pytest

STANDARD_ZIP = "standard-1__1__5.zip"
LOTS_DIR = "ocds_lots_extension-v1.1.5"
SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/"


def shared_ocds_dir() -> Path | None:
    """OCDS_SCHEMA_DIR, else the first `shared/ocds` found beside the project or above it."""
    candidates = [Path(os.environ["OCDS_SCHEMA_DIR"])] if os.environ.get("OCDS_SCHEMA_DIR") else []
    candidates += [parent / "shared" / "ocds" for parent in Path(__file__).resolve().parents]
    for path in candidates:
        if (path / STANDARD_ZIP).is_file() and (path / LOTS_DIR / "extension.json").is_file():
            return path
    return None


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def ocds_files():
    path = shared_ocds_dir()
    if path is None:
        pytest.skip("OCDS schema files not found (shared/ocds/ beside the project, or OCDS_SCHEMA_DIR): "
                    "libcoveocds cannot validate offline without them")
    handler = functools.partial(_Quiet, directory=str(path / LOTS_DIR))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"zip": path / STANDARD_ZIP, "lots_url": f"http://127.0.0.1:{server.server_port}/extension.json",
           "dir": path}
    server.shutdown()
    thread.join(5)


class _OfflineSchemas:
    """Stands in for `requests` inside jsonref: the record package schema refers to the versioned
    release schema by its URL, which libcoveocds resolves with jsonref; serve it from the ZIP."""

    def __init__(self, zip_path: Path, real):
        self.zip_path, self.real = zip_path, real

    def get(self, uri, *args, **kwargs):
        if not uri.startswith(SCHEMA_URL):
            return self.real.get(uri, *args, **kwargs)
        name = uri[len(SCHEMA_URL):]
        with zipfile.ZipFile(self.zip_path) as z:
            member = next(n for n in z.namelist() if n.endswith("/schema/" + name))
            data = json.loads(z.read(member))

        class Response:
            def raise_for_status(self):
                return None

            def json(self, **_kw):
                return data
        return Response()


@pytest.fixture
def validate(app, ocds_files, tmp_path, monkeypatch):
    """validate(package) -> libcoveocds' result; fails the test on any error or unknown field.
    The app's packages name the locally served lots extension during the test."""
    import jsonref
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    monkeypatch.setattr(jsonref, "requests", _OfflineSchemas(ocds_files["zip"], jsonref.requests))

    app.config["OCDS_LOTS_EXTENSION_URL"] = ocds_files["lots_url"]
    config = LibCoveOCDSConfig()
    config.config["context"] = "api"
    config.config["standard_zip"] = f"file://{ocds_files['zip']}"
    runs = iter(range(1000))

    def run(package: dict) -> dict:
        out = tmp_path / f"cove-{next(runs)}"
        out.mkdir()
        result = ocds_json_output(str(out), json_data=package, lib_cove_ocds_config=config)
        assert result["extensions"]["invalid_extensions"] == [], result["extensions"]
        assert result["extensions"]["is_extended_schema"] is True
        assert result["validation_errors"] == [], result["validation_errors"]
        assert result["additional_fields"] == [], result["additional_fields"]
        assert result["additional_closed_codelist_values"] == {}, result["additional_closed_codelist_values"]
        assert result["additional_open_codelist_values"] == {}, result["additional_open_codelist_values"]
        return result
    return run
