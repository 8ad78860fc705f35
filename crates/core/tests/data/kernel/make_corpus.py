"""Writes corpus.tsv: pairs of polygons (WKT) with the area of their intersection as GEOS computes
it (shapely), for crates/core/tests/kernel_geos.rs.

Run from the repository root (shapely 2.2.0 on GEOS 3.14.1 made the committed file):

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install shapely
    /tmp/kv/bin/python crates/core/tests/data/kernel/make_corpus.py

Each line: name, WKT of A, WKT of B, area of A ∩ B (repr, 17 significant digits). Coordinates
are written with repr, so Rust reads back the very doubles shapely used. Cases:
* stars: random star-shaped polygons near each other, in a local frame and at Gauss-Kruger
  magnitudes with the zone prefix (x ~ 36,500,000, y ~ 3,300,000);
* neighbours: a patch cut from a land-use polygon (shared vertices and edges, both directions);
* lattice: triangles and rectangles with vertices on a half-metre lattice (collinear overlaps);
* hole: a shell with a hole touching it at a vertex, against stars;
* sliver: 1 mm to 1 cm wide rectangles across stars;
* huge: a 200 km square against small polygons near its corner (the i_overlay precision trap).
"""
import math
import os
import random

from shapely import wkt
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

random.seed(20261202)
X0, Y0 = 36_512_345.0, 3_301_234.0
out = []


def star(cx, cy, n, rmin, rmax):
    pts = []
    for i in range(n):
        a = (i + 0.4 * random.random()) * 2 * math.pi / n
        r = random.uniform(rmin, rmax)
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return orient(Polygon(pts))


def fmt(poly):
    def ring(coords):
        return "(" + ", ".join(f"{x!r} {y!r}" for x, y in coords) + ")"
    rings = [ring(poly.exterior.coords)] + [ring(h.coords) for h in poly.interiors]
    return "POLYGON (" + ", ".join(rings) + ")"


def add(name, a, b):
    if not (a.is_valid and b.is_valid):
        return  # the kernel (like the overlay) is for valid polygons
    a, b = orient(a), orient(b)
    out.append((name, fmt(a), fmt(b), repr(a.intersection(b).area)))


for k in range(40):
    for (ox, oy, tag) in [(0.0, 0.0, "local"), (X0, Y0, "gk")]:
        a = star(ox + random.uniform(-20, 20), oy + random.uniform(-20, 20), random.randint(3, 40), 2, 40)
        b = star(ox + random.uniform(-20, 20), oy + random.uniform(-20, 20), random.randint(3, 40), 2, 40)
        add(f"stars-{tag}-{k}", a, b)

# A land-use polygon and a patch cut from it along some of its edges: the patch takes a run of
# the polygon's vertices and closes with a chord, so edges coincide exactly.
for k in range(30):
    lu = star(X0 + random.uniform(-5, 5), Y0 + random.uniform(-5, 5), random.randint(8, 30), 20, 60)
    cs = list(lu.exterior.coords)[:-1]
    i = random.randrange(len(cs))
    m = random.randint(3, len(cs) - 1)
    run = [cs[(i + j) % len(cs)] for j in range(m)]
    patch = Polygon(run)
    if not patch.is_valid or patch.area == 0:
        continue
    add(f"cut-{k}", patch, lu)
    # Its neighbour across the chord: shares the chord, opposite way.
    rest = [cs[(i + m - 1 + j) % len(cs)] for j in range(len(cs) - m + 2)]
    nb = Polygon(rest)
    if nb.is_valid and nb.area > 0:
        add(f"neighbour-{k}", patch, nb)

for k in range(40):
    def tri():
        while True:
            p = [(X0 + 0.5 * random.randint(0, 12), Y0 + 0.5 * random.randint(0, 12)) for _ in range(3)]
            t = Polygon(p)
            if t.area > 0:
                return t
    def rect():
        x0, x1 = sorted(random.sample(range(0, 13), 2))
        y0, y1 = sorted(random.sample(range(0, 13), 2))
        return Polygon([(X0 + 0.5 * x0, Y0 + 0.5 * y0), (X0 + 0.5 * x1, Y0 + 0.5 * y0),
                        (X0 + 0.5 * x1, Y0 + 0.5 * y1), (X0 + 0.5 * x0, Y0 + 0.5 * y1)])
    add(f"lattice-tri-{k}", tri(), tri())
    add(f"lattice-rect-{k}", tri(), rect())

for k in range(20):
    t = 0.5 * random.randint(1, 10)
    d = random.randint(1, 4)
    shell = [(X0, Y0), (X0 + 6, Y0), (X0 + 6, Y0 + 6), (X0, Y0 + 6)]
    hole = [(X0, Y0 + t), (X0 + d, Y0 + t - 0.5), (X0 + d, Y0 + t + 0.5)]
    h = Polygon(shell, [hole])
    add(f"hole-{k}", h, star(X0 + random.uniform(0, 6), Y0 + random.uniform(0, 6), random.randint(3, 12), 1, 5))

for k in range(20):
    a = star(X0, Y0, random.randint(5, 30), 5, 30)
    ang = random.uniform(0, math.pi)
    ln, w = random.uniform(10, 30), random.uniform(0.001, 0.01)
    c, s = math.cos(ang), math.sin(ang)
    cx, cy = X0 + random.uniform(-10, 10), Y0 + random.uniform(-10, 10)
    pts = [(cx + 0.5 * (u * c - v * s), cy + 0.5 * (u * s + v * c)) for u, v in [(-ln, -w), (ln, -w), (ln, w), (-ln, w)]]
    add(f"sliver-{k}", a, Polygon(pts))

big = Polygon([(X0, Y0), (X0 + 200_000, Y0), (X0 + 200_000, Y0 + 200_000), (X0, Y0 + 200_000)])
add("huge-sliver", big, Polygon([(X0 + 199_999.9, Y0 + 10), (X0 + 200_000.4, Y0 + 10),
                                 (X0 + 200_000.4, Y0 + 10.5), (X0 + 199_999.9, Y0 + 10.5)]))
for k in range(10):
    add(f"huge-{k}", big, star(X0 + 200_000 + random.uniform(-20, 20), Y0 + 200_000 + random.uniform(-20, 20),
                               random.randint(3, 30), 2, 40))

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "corpus.tsv"), "w") as f:
    f.write("# made by make_corpus.py (shapely 2.2.0, GEOS 3.14.1); name\tA\tB\tarea(A ∩ B)\n")
    for row in out:
        f.write("\t".join(row) + "\n")
print(len(out), "pairs")
