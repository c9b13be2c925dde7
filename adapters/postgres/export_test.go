package postgres

// Register lets the external tests wait for a topic's wake-ups as a
// subscriber does.
func (w *Wakeups) Register(topic string) chan struct{} { return w.register(topic) }
