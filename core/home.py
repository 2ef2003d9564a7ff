"""The host's front page: which councils this service runs for."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from core import permissions
from core.db import db
from tenants.models import Council

bp = Blueprint("home", __name__)
permissions.declare(bp, permissions.PUBLIC)


@bp.get("/")
def index():
    councils = db.session.scalars(select(Council).order_by(Council.name)).all()
    return render_template("home/index.html", councils=councils)
