"""WTForms classes, one module per area. Labels use lazy gettext (Dutch by default)."""
