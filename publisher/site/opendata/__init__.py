"""Open data's formats: the CSV, JSON and XLSX datasets (tables) and the national 双公示 template (national).

One package owns them; the opendata plugin writes the files, `portal export` writes the template.
"""
