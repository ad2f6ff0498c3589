"""What each role's dashboard shows as work to do: see `app.dashboard.tasks`."""
