//! Coordinate reference systems: recognising them, Gauss-Kruger projection, ellipsoidal area.
