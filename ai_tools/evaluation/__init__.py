"""The AI tools' labelled evaluation set and its scoring (see `manage.py ai_evaluate`)."""
