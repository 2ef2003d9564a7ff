"""Records retention: closed cases are deleted once their council's retention period ends.

``models`` holds what outlives a deleted case (anonymous statistical rows and
an append-only log), ``records`` feeds those rows to the statistics, ``service``
finds and deletes expired cases (run daily by the scheduler and by
``flask retention run``), ``holds`` keeps a case from deletion (legal hold),
``views`` are the case page's hold and release forms.
"""
