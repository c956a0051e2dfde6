"""UI pieces of the runs pages: the "Run tests" dialog."""
