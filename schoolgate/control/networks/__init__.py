"""Networks: which subnets and static addresses belong to which school, site and role, and the
live address → person map fed by DHCP lease files and (with #6) an authenticated API."""
