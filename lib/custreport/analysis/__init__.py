"""Pure analyses: frames in, new frames or plain records out; no file IO, inputs never mutated."""
