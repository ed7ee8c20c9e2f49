package render

import (
	"fmt"
	"strings"

	"github.com/swarmtop/swarmtop/swarm"
)

// ServiceHeader is the services table's columns.
func ServiceHeader() []Column {
	return []Column{
		{Title: "SERVICE", Min: 8, Max: 28},
		{Title: "MODE", Min: 4, Max: 10, Drop: true},
		{Title: "REPLICAS", Min: 8, Max: 10},
		{Title: "IMAGE", Min: 8, Max: 28},
		{Title: "UPDATE", Min: 6, Max: 18},
		{Title: "PORTS", Min: 5, Max: 20, Drop: true},
		{Title: "HEALTH", Min: 7, Max: 10},
	}
}

// ServiceRow renders one service.
func ServiceRow(s swarm.Service) Row {
	return Row{
		Cells: []string{
			Clean(s.Name),
			shortMode(s.Mode),
			Replicas(s),
			ImageTag(Clean(s.Image)),
			orDash(Clean(s.UpdateState)),
			orDash(Clean(strings.Join(s.Ports, ","))),
			healthText(s.Health),
		},
		Tone: serviceTone(s),
	}
}

// Replicas is running/desired; for jobs, completed/total.
func Replicas(s swarm.Service) string {
	if strings.HasSuffix(s.Mode, "-job") {
		return fmt.Sprintf("%d/%d done", s.Completed, s.Desired)
	}
	return fmt.Sprintf("%d/%d", s.Running, s.Desired)
}

func shortMode(mode string) string {
	switch mode {
	case swarm.ModeReplicated:
		return "repl"
	case swarm.ModeReplicatedJob:
		return "repl-job"
	default:
		return Clean(mode)
	}
}

// ImageTag shortens an image to its last path element and tag
// (registry.example.com/team/app:42 → app:42): the tag is what an operator
// compares; the full name is on the detail line.
func ImageTag(image string) string {
	if i := strings.LastIndexByte(image, '/'); i >= 0 {
		return image[i+1:]
	}
	return image
}

func healthText(h swarm.Health) string {
	if h == swarm.HealthNone {
		return "-"
	}
	return h.String()
}

func serviceTone(s swarm.Service) Tone {
	switch s.Health {
	case swarm.HealthFailing, swarm.HealthUnhealthy, swarm.HealthRestarting:
		return ToneDanger
	case swarm.HealthStarting:
		return ToneWarning
	}
	if !s.Converged {
		return ToneWarning
	}
	return ToneNormal
}

// ServiceDetail is the one-line description of the selected service: the
// full image and the update message the table leaves out.
func ServiceDetail(s swarm.Service) string {
	out := Clean(s.FullName) + "  " + Clean(s.Image)
	if s.UpdateMessage != "" {
		out += "  " + Clean(s.UpdateMessage)
	}
	return out
}
