"""Small modelry modules with data files, booted by tests/test_data_files.py."""
