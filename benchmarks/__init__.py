"""`make bench`: generate the clinic-network data set into its own database and time the main pages."""
