"""The annual report of a Jalali year or any period, its exports, charts and the map."""
