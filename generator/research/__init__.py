"""Research features over all articles: stories (``stories``), syndicated duplicates (``duplicates``),
related articles (``related``), topic suggestions (``suggest``) and the site search bundle (``search``).

Pure functions over ``list[Article]`` returning frozen data; ``analysis.analyse`` is the one call the
build needs for its pages. Nothing is imported here, so ``generator.research.search`` stays cheap to
import (numpy, scipy and datasketch load only with the modules that use them).
"""
