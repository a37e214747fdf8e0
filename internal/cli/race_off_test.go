//go:build !race

package cli

// raceDetector: this test binary was built with -race.
const raceDetector = false
