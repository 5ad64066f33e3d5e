"""salesreport: the monthly sales summary the finance team reads every morning."""
