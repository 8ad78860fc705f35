"""Type stubs of the public API of the `tuban` package (see __init__.py for the docstrings)."""

import os
from typing import Any, Callable, Dict, List, Literal, Optional, Sequence, Union, overload

import pandas as pd
import pyarrow as pa

from ._errors import (
    CrsError as CrsError,
    InputError as InputError,
    OutputError as OutputError,
    RulesError as RulesError,
    TubanError as TubanError,
    TubanWarning as TubanWarning,
    UsageError as UsageError,
)

__version__: str
OVERLAY_OPTIONS: tuple[str, ...]

PathLike = Union[str, os.PathLike[str]]
#: A path, a GeoPandas GeoDataFrame or GeoSeries, or any object with ``__arrow_c_stream__``.
LayerLike = Any
#: ``True`` (tqdm bars), a tqdm class, or ``f(stage, done, total)``.
ProgressLike = Union[None, bool, type, Callable[[str, int, Optional[int]], Any]]

def defaults() -> Dict[str, Any]: ...
@overload
def overlay(
    patches: LayerLike,
    landuse: LayerLike = ...,
    graves: LayerLike = ...,
    roads: LayerLike = ...,
    dem: Optional[PathLike] = ...,
    rules: Optional[PathLike] = ...,
    area_method: Literal["ellipsoidal", "planar"] = ...,
    invalid: Literal["repair", "skip", "error"] = ...,
    threads: int = ...,
    *,
    output: Literal["pandas"] = ...,
    progress: ProgressLike = ...,
    id_field: Optional[str] = ...,
    village_field: Optional[str] = ...,
    village_short: bool = ...,
    accept_no_overlap: Union[str, Sequence[str], None] = ...,
    grave_radius: Optional[float] = ...,
    grave_area_field: Optional[str] = ...,
    grave_count_field: Optional[str] = ...,
    road_width_field: Optional[str] = ...,
    road_default_width: Optional[float] = ...,
    road_min_width: Optional[float] = ...,
    road_width_scale: Optional[float] = ...,
    grave_area_scale: Optional[float] = ...,
    steep_threshold: Optional[float] = ...,
    encoding: Optional[str] = ...,
    assume_crs: Optional[str] = ...,
    crs: Optional[str] = ...,
    dem_crs: Optional[str] = ...,
    record_field: Optional[str] = ...,
) -> pd.DataFrame: ...
@overload
def overlay(
    patches: LayerLike,
    landuse: LayerLike = ...,
    graves: LayerLike = ...,
    roads: LayerLike = ...,
    dem: Optional[PathLike] = ...,
    rules: Optional[PathLike] = ...,
    area_method: Literal["ellipsoidal", "planar"] = ...,
    invalid: Literal["repair", "skip", "error"] = ...,
    threads: int = ...,
    *,
    output: Literal["arrow"],
    progress: ProgressLike = ...,
    id_field: Optional[str] = ...,
    village_field: Optional[str] = ...,
    village_short: bool = ...,
    accept_no_overlap: Union[str, Sequence[str], None] = ...,
    grave_radius: Optional[float] = ...,
    grave_area_field: Optional[str] = ...,
    grave_count_field: Optional[str] = ...,
    road_width_field: Optional[str] = ...,
    road_default_width: Optional[float] = ...,
    road_min_width: Optional[float] = ...,
    road_width_scale: Optional[float] = ...,
    grave_area_scale: Optional[float] = ...,
    steep_threshold: Optional[float] = ...,
    encoding: Optional[str] = ...,
    assume_crs: Optional[str] = ...,
    crs: Optional[str] = ...,
    dem_crs: Optional[str] = ...,
    record_field: Optional[str] = ...,
) -> pa.Table: ...

class Report:
    patches: Union[pd.DataFrame, pa.Table]
    villages: Union[pd.DataFrame, pa.Table]
    totals: Dict[str, Any]
    warnings: List[str]
    failures: List[Dict[str, Any]]
    run_info: Dict[str, Any]

def run(
    project: PathLike,
    *,
    outputs: Optional[List[PathLike]] = ...,
    villages: Optional[PathLike] = ...,
    threads: Optional[int] = ...,
    overwrite: Optional[bool] = ...,
    area_method: Optional[Literal["ellipsoidal", "planar"]] = ...,
    invalid: Optional[Literal["repair", "skip", "error"]] = ...,
    assume_crs: Optional[str] = ...,
    lang: Optional[Literal["zh", "en"]] = ...,
    shp_encoding: Optional[str] = ...,
    output: Literal["pandas", "arrow"] = ...,
    progress: ProgressLike = ...,
) -> Report: ...
