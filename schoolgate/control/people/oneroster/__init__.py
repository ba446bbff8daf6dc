"""OneRoster CSV 1.1 and 1.2: reading, checking and generating, with no Django in sight.

The importer (`schoolgate.control.people.roster`) writes what this package has already read and
checked, so every problem in a roster is found before anything is stored.
"""
