"""The chair's program: inbox, a read-only view of each school, across schools,
the meeting record and outcomes (DESIGN.md §4, "Chair")."""
