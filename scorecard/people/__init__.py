"""/people/: the MI team adds people, gives them roles and switches accounts off (never deletes them)."""
