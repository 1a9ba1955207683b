namespace Avengers.Server.Feedback;

/// <summary>Why a rating was not applied, for the endpoint's status code.</summary>
internal enum RatingResult { Applied, UnknownId, AlreadyRated, UnknownModel, CapReached, StoreUnavailable }
