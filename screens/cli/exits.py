"""The CLI's exit statuses, one table for every command (docs/user-guide.md, "Exit statuses"): 0 done, 1 the
command ran and failed, 2 its arguments or files were refused before anything happened, 3 no Docker engine
answered."""

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_NO_ENGINE = 0, 1, 2, 3
