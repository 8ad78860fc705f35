//! Units of area used in Chinese land administration.
//!
//! Areas are computed and summed in square metres as `f64`; conversion happens at the edge and
//! rounding only when a number is displayed (see [`crate::account`] for rounding that must add up).

/// Square metres in one mu (亩): 10000/15 = 666.666… m².
pub const M2_PER_MU: f64 = 10000.0 / 15.0;
/// Square metres in one hectare (公顷); 1 ha = 15 mu.
pub const M2_PER_HA: f64 = 10000.0;

/// Square metres to mu.
///
/// ```
/// assert_eq!(tuban_core::units::mu(10000.0), 15.0);
/// ```
pub fn mu(m2: f64) -> f64 {
    m2 * 15.0 / 10000.0
}

/// Square metres to hectares.
pub fn hectares(m2: f64) -> f64 {
    m2 / M2_PER_HA
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_mu_is_two_thirds_of_a_thousand_square_metres() {
        assert!((mu(M2_PER_MU) - 1.0).abs() < 1e-15);
        assert_eq!(mu(2000.0), 3.0);
        assert_eq!(hectares(15.0 * M2_PER_MU), 1.0);
    }
}
