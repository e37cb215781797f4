"""`make bench`: synthetic data at three sizes and the timings of the pages, assembly and upload."""
