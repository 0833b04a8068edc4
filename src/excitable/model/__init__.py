"""Model: what users build and edit (cells, stimuli, recordings); validated on entry."""
