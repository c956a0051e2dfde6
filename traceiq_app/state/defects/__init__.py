"""Reflex states of the defect pages (list, new, detail), the custom fields page and the test
page's defects/custom fields panel. Every handler authorizes through `guard.require`."""
