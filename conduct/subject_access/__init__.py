"""Subject access (UK GDPR Article 15): everything held about one person, for the officer to send.

``search`` finds the cases where a person appears (by email address or full
name) among those the officer may read, and what is held about them in each;
``export`` writes that as a ZIP (a JSON file per case, the emails sent to
them, the files they uploaded); ``views`` are the staff pages.
"""
