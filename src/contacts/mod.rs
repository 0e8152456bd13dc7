//! Contact-details detector (placeholder until the detector lands).
