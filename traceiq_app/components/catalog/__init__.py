"""UI pieces of the catalog pages: the suite tree, editor panels and step forms, small shared bits."""
