"""The native module (Rust, PyO3): called by tuban/__init__.py, which documents the API."""

from typing import Any, Dict, List, Optional, Tuple

OVERLAY_OPTIONS: List[str]
__version__: str

class ArrowStream:
    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object: ...

def overlay(
    patches: tuple,
    landuse: Optional[tuple],
    graves: Optional[tuple],
    roads: Optional[tuple],
    dem: Optional[str],
    rules: Optional[str],
    threads: int,
    options: Dict[str, Any],
    progress: Optional[Any],
) -> Tuple[ArrowStream, ArrowStream, Dict[str, Any], Dict[str, Any]]: ...
def run(
    project: str,
    outputs: Optional[List[str]],
    villages: Optional[str],
    threads: Optional[int],
    options: Dict[str, Any],
    progress: Optional[Any],
) -> Tuple[ArrowStream, ArrowStream, Dict[str, Any], Dict[str, Any]]: ...
def defaults() -> Dict[str, Any]: ...
def mu_hundredths(m2: List[float]) -> Tuple[List[int], int]: ...
