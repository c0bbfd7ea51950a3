//! The line model: a logistic regression over [`super::features`] that tells, for a line inside the
//! article's core that no rule names, how likely it is article. A line it finds very unlikely is
//! removed (`line-model`), with its probability in the audit.
//!
//! The weights are data, trained by `examples/devset` (`train`) on the dev set's trainable pages
//! only (cross-validated by site; README, Cleaning), and written into [`SHIPPED`]. Their digest is
//! part of the cleaner's version, so new weights make the next ingest clean again.

use super::features::COUNT;

/// Reported for a line the model removes.
pub const LINE_MODEL_RULE: &str = "line-model";

/// A logistic line model and the probability below which a line goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineModel {
    pub weights: [f64; COUNT],
    pub threshold: f64,
}

impl LineModel {
    /// The probability that a line with these features is article.
    pub fn probability(&self, x: &[f64; COUNT]) -> f64 {
        let z: f64 = self.weights.iter().zip(x).map(|(w, x)| w * x).sum();
        1.0 / (1.0 + (-z).exp())
    }

    /// A stable text of the model, part of the cleaner's version.
    pub fn fingerprint(&self) -> String {
        let mut s = format!("model:{}", self.threshold);
        for w in &self.weights {
            s.push_str(&format!("/{w}"));
        }
        s
    }
}

/// No model: every line in the core stays, as before the model existed.
pub const NONE: Option<LineModel> = None;

/// The model newsdb ships.
pub const SHIPPED: Option<LineModel> = NONE;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::Cleaner;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    const PAGE: &str =
        "The council said on Tuesday that the library would close at the end of the summer, \
        after a vote in which nine members backed the plan.\n\
        Residents protest outside the chamber\n\
        Opposition members said the leisure centre was a long walk for many older residents and \
        that the bus serving it had been cut last year.";

    #[test]
    fn a_model_removes_the_lines_it_finds_unlikely_and_changes_the_version() {
        let plain = Cleaner::builtin().with_model(None);
        assert!(plain.clean(&lines(PAGE), 1, None).removed.is_empty());
        // All weight on "is a good line": the caption between two paragraphs goes.
        let mut weights = [0.0; COUNT];
        weights[3] = 10.0;
        weights[0] = -5.0;
        let model = LineModel {
            weights,
            threshold: 0.5,
        };
        let with = Cleaner::builtin().with_model(Some(model));
        let removed = with.clean(&lines(PAGE), 1, None).removed;
        assert_eq!(removed.len(), 1);
        assert_eq!((removed[0].line, &*removed[0].rule), (2, LINE_MODEL_RULE));
        assert_ne!(with.version(), plain.version());
        assert_eq!(plain.model_inputs(&lines(PAGE)).len(), 3);
    }
}
