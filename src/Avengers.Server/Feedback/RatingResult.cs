namespace Avengers.Server.Feedback;

/// <summary>Why a rating was not applied, for the endpoint's status code.</summary>
public enum RatingResult { Applied, UnknownId, AlreadyRated, UnknownModel }
