"""Decision notices: drafted from the case, approved, published frozen, corrected by versions."""
