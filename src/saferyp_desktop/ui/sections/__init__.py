"""The main window's sections: record tables and editors, the Overview, the diagram page."""
