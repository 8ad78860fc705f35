"""Road corridors as GEOS builds them: the expected areas of `tests/corridor_geos.rs`.

    python3 make_corpus.py > corpus.tsv      # shapely 2.2.0 / GEOS 3.14.1

Each line: a case's name, the road's width (m), its vertices (`x y` pairs separated by `;`,
written with repr so Rust reads the same doubles) and the area of
`shapely.buffer(line, width / 2, quad_segs=8, cap_style="flat", join_style="round")`.
Three families, from a fixed seed:
- `survey`: roads as the survey draws them: segments of 5 to 40 m, bends of up to 60 degrees,
  2 to 8 m wide, at Gauss-Kruger coordinates (zone prefix);
- `wild`: segments of 0.05 to 25 m, any bend short of turning straight back, 0.5 to 12 m wide:
  sharp bends after short segments, roads that cross or come back near themselves;
- `grid`: the same on whole metres, so that vertices and bends meet exactly.
"""
import math
import random
import sys

import shapely
from shapely.geometry import LineString


def walk(rng, n, seg, turn, origin, grid):
    x = y = h = 0.0
    pts = [(origin[0], origin[1])]
    for _ in range(n):
        h += rng.uniform(-turn, turn)
        length = rng.uniform(*seg)
        x += length * math.cos(h)
        y += length * math.sin(h)
        px, py = (round(x), round(y)) if grid else (x, y)
        pts.append((px + origin[0], py + origin[1]))
    return pts


def main():
    rng = random.Random(20261203)
    cases = []
    for i in range(300):
        pts = walk(rng, rng.randint(1, 25), (5.0, 40.0), math.radians(60), (36512345.25, 3301234.5), False)
        cases.append((f"survey{i}", rng.uniform(2.0, 8.0), pts))
    for i in range(700):
        pts = walk(rng, rng.randint(1, 12), (0.05, 25.0), math.radians(177), (0.0, 0.0), False)
        cases.append((f"wild{i}", rng.uniform(0.5, 12.0), pts))
    for i in range(300):
        pts = walk(rng, rng.randint(1, 12), (1.0, 25.0), math.radians(177), (500000.0, 3300000.0), True)
        cases.append((f"grid{i}", float(rng.randint(1, 12)), pts))
    out = sys.stdout
    out.write("# name\twidth_m\tvertices\tshapely_area_m2\n")
    for name, width, pts in cases:
        dedup = [p for k, p in enumerate(pts) if k == 0 or p != pts[k - 1]]
        if len(dedup) < 2:
            continue
        area = shapely.buffer(LineString(dedup), width / 2, quad_segs=8, cap_style="flat",
                              join_style="round").area
        verts = ";".join(f"{x!r} {y!r}" for x, y in dedup)
        out.write(f"{name}\t{width!r}\t{verts}\t{area!r}\n")


if __name__ == "__main__":
    main()
