"""Drug labels (FDA Structured Product Labeling): reading SPL XML into plain records, apart from any RDF.

``read.read_label(path)`` and ``read.read_labels(folder)``; the rooms, limits and code systems are in README.md.
"""
