"""Inspections: checklists, visits (online and offline), GPS check, photos, plans, visit reports."""
