"""The casework domain: complaints, cases and their web views."""
