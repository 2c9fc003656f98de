"""The listing policy's refusals, raised by its services and shown by the pages."""


class PolicyError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(PolicyError):
    pass


class AppealRefused(PolicyError):
    pass


class CertificationRefused(PolicyError):
    pass


class RecallRefused(PolicyError):
    pass


class InspectionRefused(PolicyError):
    pass


class SanctionRefused(PolicyError):
    pass


class TaxRuleRefused(PolicyError):
    pass


class ApiTokenRefused(PolicyError):
    pass
