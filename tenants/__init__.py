"""Councils (tenants), their contact routes, staff users and roles."""
