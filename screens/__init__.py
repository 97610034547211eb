"""The UI: the Textual wizard, the plain questionary flow and the command line. Imports wizard, never the reverse."""
