"""Hearings: convening a properly constituted panel, the agenda pack, the hearing, the decision."""
