package chgk_test

import (
	"errors"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/chgk"
)

func TestSettingsSet(t *testing.T) {
	base := chgk.DefaultSettings()
	tests := []struct {
		name  chgk.SettingName
		value string
		want  func(s *chgk.Settings)
		ok    bool
	}{
		{chgk.SettingRounds, "8", func(s *chgk.Settings) { s.Rounds = 8 }, true},
		{chgk.SettingRounds, "1", func(s *chgk.Settings) { s.Rounds = 1 }, true},
		{chgk.SettingRounds, "31", nil, false},
		{chgk.SettingRounds, "0", nil, false},
		{chgk.SettingRounds, "2.5", nil, false},
		{chgk.SettingRounds, "много", nil, false},
		{chgk.SettingLobby, "45", func(s *chgk.Settings) { s.Lobby = 45 * time.Second }, true},
		{chgk.SettingDiscussion, "1,5e2", func(s *chgk.Settings) { s.Discussion = 150 * time.Second }, true},
		{chgk.SettingDiscussion, "9", nil, false},
		{chgk.SettingChoice, "12.5", func(s *chgk.Settings) { s.Choice = 12500 * time.Millisecond }, true},
		{chgk.SettingAnswer, "301", nil, false},
		{chgk.SettingAnswer, " 90 ", func(s *chgk.Settings) { s.Answer = 90 * time.Second }, true},
		{chgk.SettingPause, "NaN", nil, false},
		{chgk.SettingPause, "3", func(s *chgk.Settings) { s.Pause = 3 * time.Second }, true},
		{"colour", "red", nil, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.name)+"="+tt.value, func(t *testing.T) {
			is := is.New(t)
			got, err := base.Set(tt.name, tt.value)
			if !tt.ok {
				is.True(errors.Is(err, chgk.ErrBadSetting)) // refused with the typed error
				var se *chgk.SettingError
				is.True(errors.As(err, &se))
				is.Equal(se.Name, tt.name) // naming the setting
				is.True(len(err.Error()) > 0)
				is.Equal(got, base) // unchanged
				return
			}
			is.NoErr(err)
			want := base
			tt.want(&want)
			is.Equal(got, want) // exactly that setting changed
		})
	}
}

func TestParseSettingName(t *testing.T) {
	is := is.New(t)
	for in, want := range map[string]chgk.SettingName{
		"Раунды": chgk.SettingRounds, "rounds": chgk.SettingRounds, "лобби": chgk.SettingLobby,
		"регистрация": chgk.SettingLobby, "ОБСУЖДЕНИЕ": chgk.SettingDiscussion, "выбор": chgk.SettingChoice,
		"ответ": chgk.SettingAnswer, "пауза": chgk.SettingPause, "pause": chgk.SettingPause,
	} {
		got, ok := chgk.ParseSettingName(in)
		is.True(ok)         // known name
		is.Equal(got, want) // maps to its setting
	}
	_, ok := chgk.ParseSettingName("громкость")
	is.True(!ok)                                         // unknown name
	is.Equal(len(chgk.SettingNames), len(chgk.Limits)+1) // every numeric setting has its limits; the mode has names
}

func TestSettingsValidate(t *testing.T) {
	is := is.New(t)
	is.NoErr(chgk.DefaultSettings().Validate()) // defaults are playable
	fast := chgk.Settings{Rounds: 2, Lobby: 500 * time.Millisecond, Discussion: time.Millisecond, Choice: time.Millisecond, Answer: time.Millisecond}
	is.NoErr(fast.Validate()) // fractions are fine for the operator
	for _, bad := range []func(*chgk.Settings){
		func(s *chgk.Settings) { s.Rounds = 0 },
		func(s *chgk.Settings) { s.Rounds = 101 },
		func(s *chgk.Settings) { s.Lobby = 0 },
		func(s *chgk.Settings) { s.Answer = 2 * time.Hour },
		func(s *chgk.Settings) { s.Pause = -1 },
	} {
		s := chgk.DefaultSettings()
		bad(&s)
		is.True(errors.Is(s.Validate(), chgk.ErrBadSetting)) // refused
	}
}
