"""UI pieces of the defect pages and the test page's defects panel."""
