"""Demo data: an organisation set up like the two source procedures, and realistic complaints."""
