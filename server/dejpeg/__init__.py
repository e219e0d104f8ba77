"""deJPEG: JPEG forensics and restoration.

>>> import dejpeg
>>> report = dejpeg.analyze("photo.png")          # or bytes
>>> report.compression.verdict, report.quality.estimate
"""

from .errors import InputError
from .load import Limits, LoadedImage
from .pipeline import analyze
from .report import Report
from .restore import Restoration, restore

__version__ = "0.1.0"
__all__ = ["InputError", "Limits", "LoadedImage", "Report", "Restoration", "analyze", "restore", "__version__"]
