"""modelry's test suite (a package, so test fixture modules import as `tests.…`)."""
