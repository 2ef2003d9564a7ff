"""Anonymised statistics of cases for the standards committee and the public.

``records`` turns case data into anonymous rows, ``service`` aggregates them
in SQL, ``figures`` labels the results (and suppresses small counts for the
public), ``charts`` lays them out as bar charts. The staff pages live in
``staff_views`` (on the staff blueprint), the public ones in ``public_views``.
"""
