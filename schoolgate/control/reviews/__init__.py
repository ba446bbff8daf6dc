"""Review requests from the block page, and the site exceptions staff approve from them."""
